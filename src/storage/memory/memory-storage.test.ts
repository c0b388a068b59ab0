import { runStorageSuite } from "../conformance/index.ts";
import { MemoryStorage } from "./index.ts";

runStorageSuite({ name: "memory", newStorage: async () => new MemoryStorage() });

// End-to-end alert tests (`vigil test alerts`): rules, routing and notification templates
// exercised together on simulated time.
export type { SentNotification } from "./capture.ts";
export { captureFactories } from "./capture.ts";
export type { RoutingLoader, TestResult } from "./runner.ts";
export { compare, describeSent, runAlertTestFile } from "./runner.ts";
export type { AlertTest, AlertTestFile, ExpectedNotification } from "./testfile.ts";
export { AlertTestFileError, parseAlertTestFile, parseAlertTestText } from "./testfile.ts";

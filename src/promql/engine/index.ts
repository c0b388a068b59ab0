// Public API of the PromQL engine.
export type { EngineOptions, QueryOptions, QueryResult, QueryStats, Queryable } from "./api.ts";
export type { Annotation, AnnotationKind } from "./annotations.ts";
export { Annotations, renderAnnotation } from "./annotations.ts";
export { Engine } from "./engine.ts";
export type { QueryErrorType } from "./errors.ts";
export { QueryError } from "./errors.ts";
export type {
  FPoint,
  HPoint,
  Matrix,
  QueryValue,
  Sample,
  Scalar,
  Series,
  StringValue,
  Vector,
} from "./value.ts";

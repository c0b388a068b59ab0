// Go regexp semantics shared by relabeling and PromQL's label_replace.
export {
  compileLabelRegex,
  expandMatch,
  expandRegexTemplate,
  isValidUtf8LabelName,
} from "./regex.ts";

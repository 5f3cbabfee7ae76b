// Explaining a board's serial log: the public surface of src/explain.
export { decodeLog, type LogEvent, type LogEventKind, type LogSpan } from './decode';
export { explainLog, type Explanation, type ExplainContext, type LogFix } from './explain';
export { findProjectFor, loadExplainContext } from './context';
export { logLines, tokenizeLine, type LogLine } from './log-lines';
export { formatExplanation, logRange } from './format';

// Every custom request and notification between the extension (or any LSP client) and the engine.
// Declared once here (in the modules below, one per subject), documented in docs/protocol.md. Pure types and
// schemas: no `vscode` import. Each message's params have a schema next to their type (protocol/schema.ts).
export type { ArmCounts, CompletionItemRef, Confidence, Feedback, FeedbackSignal, LearnedContext, LearnedState, LedgerFeedback } from './feedback';
export type { BackendKind } from './settings.js';
export * from './protocol/schema';
export * from './protocol/model';
export * from './protocol/stats';
export * from './protocol/router';
export * from './protocol/chat';
export * from './protocol/ledger';
export * from './protocol/eval';

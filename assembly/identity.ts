// Identity signals for policies: the model, the three sources, merging,
// evaluation and the decision's message and annotations. Re-exported in one
// place so policies import a single module.
export { Signal, SignalBuilder, SIGNAL_KINDS, CLAIM_KINDS, STATUSES, RISKS, METHODS, RECORD_FIELDS, isSignalKind, riskRank, SOURCE_SETTINGS, SOURCE_CLAIMS, SOURCE_CLUSTER } from "./identity/signal";
export { signalFromRecord, signalsFromSettings, signalsFromClaims, signalsFromClusterObject, clusterObjectName, fnv1a32Hex, ClusterSignals } from "./identity/sources";
export { SignalSet, Requirements, Evaluation, Failure, evaluate, signalFailure, CAUSE_REVERIFY, CAUSE_WAIT, CAUSE_COMPLIANCE, CAUSE_RECORDS, CAUSE_CONFIGURATION } from "./identity/evaluate";
export { ASSURANCE_LEVELS, applyAssurance, addRequired } from "./identity/assurance";
export { DECISION_ALLOWED, DECISION_DENIED, DECISION_EXEMPT } from "./protocol/audit";
export { RequestFacts, requestFacts, describeAttempt, Decision, adviceFor, rejectionMessage, annotateDecision, respond } from "./identity/decision";
export { SignalSources, Exemptions, REQUIRE_KEYS, SIGNAL_SOURCE_KEYS, parseRequirements, parseExemptions, parseSignalSources, leanRequirements, leanExemptions, leanSignalSources, SplitSettings, splitSubjects, attachSubjects } from "./identity/settings";
export { gatherSignals } from "./identity/gather";

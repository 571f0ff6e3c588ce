// Identity signals for policies: the model, the three sources, merging and
// evaluation. Re-exported in one place so policies import a single module.
export { Signal, SignalBuilder, SIGNAL_KINDS, CLAIM_KINDS, STATUSES, RISKS, METHODS, RECORD_FIELDS, isSignalKind, riskRank,
  SOURCE_SETTINGS, SOURCE_CLAIMS, SOURCE_CLUSTER } from "./identity/signal";
export { signalFromRecord, signalsFromSettings, signalsFromClaims, signalsFromClusterObject, clusterObjectName, fnv1a32Hex, ClusterSignals } from "./identity/sources";
export { SignalSet, Requirements, Evaluation, evaluate, signalFailure } from "./identity/evaluate";
export { ASSURANCE_LEVELS, applyAssurance, addRequired } from "./identity/assurance";

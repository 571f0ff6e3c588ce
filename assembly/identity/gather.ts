// Gathering a requester's signals from every configured source, merged with
// the fail-closed rules of SignalSet.merge. The only identity code that calls
// a host capability (kubernetes/get_resource for the cluster source).
import { ValidationRequest } from "../protocol/request";
import { getResource, GetResourceRequest } from "../capabilities/kubernetes";
import { SignalSet } from "./evaluate";
import { signalsFromSettings, signalsFromClaims, signalsFromClusterObject, clusterObjectName } from "./sources";
import { SignalSources } from "./settings";

/** Signals from every configured source; a source that cannot be read adds to `sourceErrors` (it denies). */
export function gatherSignals(sources: SignalSources, vr: ValidationRequest, username: string, sourceErrors: string[]): SignalSet {
  const observations = signalsFromSettings(sources.subjects, username);
  if (sources.claimsPrefix.length > 0) {
    const fromClaims = signalsFromClaims(vr.request.userInfo.extra, sources.claimsPrefix);
    for (let i = 0; i < fromClaims.length; i++) observations.push(fromClaims[i]);
  }
  if (sources.clusterEnabled && username.length > 0) {
    const get = new GetResourceRequest();
    get.apiVersion = "v1";
    get.kind = "ConfigMap";
    get.namespace = sources.clusterNamespace;
    get.name = clusterObjectName(username);
    get.disableCache = sources.clusterDisableCache;
    const fromCluster = signalsFromClusterObject(getResource(get), username);
    const error = fromCluster.error;
    if (error !== null) sourceErrors.push("cluster signals unavailable (" + error + ")");
    for (let i = 0; i < fromCluster.signals.length; i++) observations.push(fromCluster.signals[i]);
  }
  return SignalSet.merge(observations);
}

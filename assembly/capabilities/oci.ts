// `oci` host capabilities (§3): image digests and Sigstore verification.
import { callHost } from "./host";
import { CallResult } from "../abi/result";
import { quote, utf8, ObjectWriter, stringArrayJson, joinStrings } from "../json/writer";

/** `{"digest":"sha256:…"}` for an image reference, or a failed CallResult. */
export function manifestDigest(image: string): CallResult {
  return callHost("oci", "v1/manifest_digest", utf8(quote(image)));
}

/**
 * Sigstore verification with public keys (`v2/verify`, type SigstorePubKeyVerify).
 * `{"is_trusted":true,"digest":…}` on success; a failed verification is a host
 * error (a failed CallResult), not `is_trusted:false`.
 */
export function verifyPubKeys(image: string, pubKeys: string[], annotationKeys: string[] = [], annotationValues: string[] = []): CallResult {
  const w = new ObjectWriter().string("type", "SigstorePubKeyVerify").string("image", image).raw("pub_keys", stringArrayJson(pubKeys));
  if (annotationKeys.length > 0) w.stringMap("annotations", annotationKeys, annotationValues);
  return callHost("oci", "v2/verify", w.toBytes());
}

/** Keyless verification against exact `{issuer, subject}` pairs (`v2/verify`, SigstoreKeylessVerify). */
export function verifyKeyless(image: string, issuers: string[], subjects: string[]): CallResult {
  const items = new Array<string>();
  for (let i = 0; i < issuers.length && i < subjects.length; i++) {
    items.push(new ObjectWriter().string("issuer", issuers[i]).string("subject", subjects[i]).toString());
  }
  const w = new ObjectWriter().string("type", "SigstoreKeylessVerify").string("image", image).raw("keyless", "[" + joinStrings(items, ",") + "]");
  return callHost("oci", "v2/verify", w.toBytes());
}

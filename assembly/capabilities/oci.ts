// `oci` host capabilities (§3): image digests and Sigstore verification.
import { callHost } from "../abi/host";
import { JsonValue } from "../json/value";
import { quote, utf8, ObjectWriter, stringArrayJson } from "../json/writer";

/** `{"digest":"sha256:…"}` for an image reference, or an Error JsonValue. */
export function manifestDigest(image: string): JsonValue {
  return callHost("oci", "v1/manifest_digest", utf8(quote(image))).json();
}

/**
 * Sigstore verification with public keys (`v2/verify`, type SigstorePubKeyVerify).
 * `{"is_trusted":true,"digest":…}` on success; a failed verification is a host
 * error (an Error JsonValue), not `is_trusted:false`.
 */
export function verifyPubKeys(image: string, pubKeys: string[], annotationKeys: string[] = [], annotationValues: string[] = []): JsonValue {
  const w = new ObjectWriter().string("type", "SigstorePubKeyVerify").string("image", image).raw("pub_keys", stringArrayJson(pubKeys));
  if (annotationKeys.length > 0) w.stringMap("annotations", annotationKeys, annotationValues);
  return callHost("oci", "v2/verify", utf8(w.toString())).json();
}

/** Keyless verification against exact `{issuer, subject}` pairs (`v2/verify`, SigstoreKeylessVerify). */
export function verifyKeyless(image: string, issuers: string[], subjects: string[]): JsonValue {
  const items = new Array<string>();
  for (let i = 0; i < issuers.length && i < subjects.length; i++) {
    items.push(new ObjectWriter().string("issuer", issuers[i]).string("subject", subjects[i]).toString());
  }
  const w = new ObjectWriter().string("type", "SigstoreKeylessVerify").string("image", image).raw("keyless", "[" + items.join(",") + "]");
  return callHost("oci", "v2/verify", utf8(w.toString())).json();
}

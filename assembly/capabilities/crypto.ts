// `crypto/v1/is_certificate_trusted`. Byte arrays travel as JSON arrays of
// integers 0–255 (Rust Vec<u8>), not as strings.
import { callHost } from "./host";
import { CallResult } from "../abi/result";
import { ObjectWriter, joinStrings } from "../json/writer";

function bytesJson(text: string): string {
  const bytes = Uint8Array.wrap(String.UTF8.encode(text));
  const parts = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = bytes[i].toString();
  return "[" + joinStrings(parts, ",") + "]";
}

function pemCertificate(pem: string): string {
  return new ObjectWriter().string("encoding", "Pem").raw("data", bytesJson(pem)).toString();
}

/**
 * Is the PEM certificate trusted by `chainPems` (or Mozilla's roots when empty),
 * and valid until `notAfter` (RFC 3339, "" = now)? `{"trusted":bool,"reason":…}` or a failed CallResult.
 */
export function isCertificateTrusted(certPem: string, chainPems: string[] = [], notAfter: string = ""): CallResult {
  let chain = "null";
  if (chainPems.length > 0) {
    const items = new Array<string>(chainPems.length);
    for (let i = 0; i < chainPems.length; i++) items[i] = pemCertificate(chainPems[i]);
    chain = "[" + joinStrings(items, ",") + "]";
  }
  const w = new ObjectWriter().raw("cert", pemCertificate(certPem)).raw("cert_chain", chain);
  if (notAfter.length > 0) w.string("not_after", notAfter); else w.raw("not_after", "null");
  return callHost("crypto", "v1/is_certificate_trusted", w.toBytes());
}

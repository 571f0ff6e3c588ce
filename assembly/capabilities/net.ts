// `net/v1/dns_lookup_host`.
import { callHost } from "../abi/host";
import { JsonValue } from "../json/value";
import { quote, utf8 } from "../json/writer";

/** `{"ips":["…"]}` for a host name, or an Error JsonValue. */
export function dnsLookupHost(host: string): JsonValue {
  return callHost("net", "v1/dns_lookup_host", utf8(quote(host))).json();
}

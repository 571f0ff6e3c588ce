// `net/v1/dns_lookup_host`.
import { callHost } from "./host";
import { CallResult } from "../abi/result";
import { quote, utf8 } from "../json/writer";

/** `{"ips":["…"]}` for a host name, or a failed CallResult. */
export function dnsLookupHost(host: string): CallResult {
  return callHost("net", "v1/dns_lookup_host", utf8(quote(host)));
}

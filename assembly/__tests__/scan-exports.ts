// Test-only module for scan.test.ts: the 64-byte bitmask skipper against the
// byte-wise state machine, and Json.members against keys()/field().
import { skipValue, skipContainerBytewise, SCAN_ERROR } from "../json/scan";
import { Json } from "../json/view";
import "../abi/abort";

const keep = new Array<ArrayBuffer>();
function bytesOf(text: string): ArrayBuffer {
  const bytes = String.UTF8.encode(text);
  keep.push(bytes);
  return bytes;
}

/** End offset (relative) of the container starting the text: "fast|bytewise", -1 for SCAN_ERROR. */
export function skipBoth(text: string): string {
  const b = bytesOf(text);
  const p = changetype<usize>(b);
  const end = p + <usize>b.byteLength;
  const fast = skipValue(p, end);
  const slow = skipContainerBytewise(p, end);
  return (fast == SCAN_ERROR ? "-1" : (fast - p).toString()) + "|" + (slow == SCAN_ERROR ? "-1" : (slow - p).toString());
}

/** "key=raw" lines from members(), and the same from keys() + field(). */
export function membersBoth(text: string): string {
  const b = bytesOf(text);
  const v = Json.of(changetype<usize>(b), b.byteLength);
  const m = v.members();
  const viaMembers = new Array<string>();
  for (let i = 0; i < m.length; i++) viaMembers.push(m.keys[i] + "=" + m.values[i].typeName + ":" + m.values[i].raw());
  const keys = v.keys();
  const viaFields = new Array<string>();
  for (let i = 0; i < keys.length; i++) {
    const f = v.field(keys[i]);
    viaFields.push(keys[i] + "=" + f.typeName + ":" + f.raw());
  }
  return viaMembers.join("\n") + "\u0000" + viaFields.join("\n");
}

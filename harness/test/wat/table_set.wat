;; Swaps an entry of its function table on every call (table.set): state a snapshot of memory
;; and globals would not restore, so the harness must give this module new instances. The
;; answer names the function the table held at entry: always "first" on a fresh instance.
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (memory (export "memory") 1)
  (table 1 funcref)
  (elem declare func $second)
  (elem (i32.const 0) $first)
  (type $answer (func (result i32)))
  (data (i32.const 0x100) "{\"accepted\":true,\"message\":\"first\"} ")
  (data (i32.const 0x200) "{\"accepted\":true,\"message\":\"second\"}")
  (func $first (result i32) (i32.const 0x100))
  (func $second (result i32) (i32.const 0x200))
  (func (export "__guest_call") (param i32 i32) (result i32)
    (local $r i32)
    (call $guest_request (i32.const 0x800) (i32.const 0x900))
    (local.set $r (call_indirect (type $answer) (i32.const 0)))
    (call $guest_response (local.get $r) (i32.const 37))
    (table.set (i32.const 0) (ref.func $second))
    (i32.const 1))
)

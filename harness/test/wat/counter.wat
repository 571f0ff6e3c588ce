;; A global counter incremented on every call: on a fresh instance per evaluation it is always 1.
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (memory (export "memory") 1)
  (global $count (mut i32) (i32.const 0))
  (data (i32.const 16) "{\"accepted\":true,\"message\":\"count=0\"}")
  (func (export "__guest_call") (param i32 i32) (result i32)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (i32.store8 (i32.const 50) (i32.add (i32.const 48) (select (global.get $count) (i32.const 9) (i32.lt_u (global.get $count) (i32.const 10)))))
    (call $guest_response (i32.const 16) (i32.const 37))
    (i32.const 1))
)

;; waPC guest stuck in an endless loop on `validate` and `validate_settings` (like
;; policy-evaluator's wapc_endless_loop.wat); `protocol_version` answers "v1" at once, so a
;; test can show the harness still works after the loop was stopped.
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "\"v1\"")
  (func (export "__guest_call") (param $op_len i32) (param i32) (result i32)
    (if (i32.or (i32.eq (local.get $op_len) (i32.const 8)) (i32.eq (local.get $op_len) (i32.const 17)))
      (then (loop $forever (br $forever))))
    (call $guest_response (i32.const 16) (i32.const 4))
    (i32.const 1))
)

;; waPC guest for server tests: `validate` loops forever when the payload contains the bytes
;; `RUNAWAY`, otherwise accepts; `validate_settings` accepts; `protocol_version` answers "v1".
;; One module thus serves normal and runaway requests side by side.
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (memory (export "memory") 64)
  (data (i32.const 16) "\"v1\"")
  (data (i32.const 32) "{\"accepted\":true}")
  (data (i32.const 64) "{\"valid\":true}")
  (data (i32.const 96) "RUNAWAY")
  ;; payload copied at 1024, operation at 512
  (func $has_marker (param $len i32) (result i32)
    (local $i i32) (local $j i32)
    (block $none
      (loop $scan
        (br_if $none (i32.gt_s (i32.add (local.get $i) (i32.const 7)) (local.get $len)))
        (local.set $j (i32.const 0))
        (block $mismatch
          (loop $cmp
            (br_if $mismatch (i32.ne
              (i32.load8_u (i32.add (i32.const 1024) (i32.add (local.get $i) (local.get $j))))
              (i32.load8_u (i32.add (i32.const 96) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (if (i32.eq (local.get $j) (i32.const 7)) (then (return (i32.const 1))))
            (br $cmp)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    (i32.const 0))
  (func (export "__guest_call") (param $op_len i32) (param $payload_len i32) (result i32)
    (call $guest_request (i32.const 512) (i32.const 1024))
    (if (i32.eq (local.get $op_len) (i32.const 8))
      (then
        (if (call $has_marker (local.get $payload_len)) (then (loop $forever (br $forever))))
        (call $guest_response (i32.const 32) (i32.const 17))
        (return (i32.const 1))))
    (if (i32.eq (local.get $op_len) (i32.const 17))
      (then
        (call $guest_response (i32.const 64) (i32.const 14))
        (return (i32.const 1))))
    (call $guest_response (i32.const 16) (i32.const 4))
    (i32.const 1))
)

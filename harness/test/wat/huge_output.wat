;; waPC module that answers with far too much: by the first byte of the settings value in the
;; payload it cannot read, so by operation name length instead:
;;   validate (8)           -> __guest_response of 64 MiB
;;   validate_settings (17) -> __guest_error of 64 MiB, returns 0
;;   protocol_version (16)  -> 64 lines of 1 MiB on __console_log, then "v1"
;; The host must copy out bounded amounts with a truncation marker.
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (import "wapc" "__guest_error" (func $guest_error (param i32 i32)))
  (import "wapc" "__console_log" (func $console_log (param i32 i32)))
  (memory (export "memory") 1100)
  (data (i32.const 16) "\"v1\"")
  (func $fill (local $i i32)
    ;; 'x' everywhere from 64 KiB on (valid UTF-8, not NUL)
    (memory.fill (i32.const 65536) (i32.const 120) (i32.const 67108864)))
  (func (export "__guest_call") (param $op_len i32) (param i32) (result i32) (local $n i32)
    (call $fill)
    (if (i32.eq (local.get $op_len) (i32.const 8))
      (then (call $guest_response (i32.const 65536) (i32.const 67108864)) (return (i32.const 1))))
    (if (i32.eq (local.get $op_len) (i32.const 17))
      (then (call $guest_error (i32.const 65536) (i32.const 67108864)) (return (i32.const 0))))
    (loop $more
      (call $console_log (i32.const 65536) (i32.const 1048576))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $more (i32.lt_u (local.get $n) (i32.const 64))))
    (call $guest_response (i32.const 16) (i32.const 4))
    (i32.const 1))
)

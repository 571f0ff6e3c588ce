;; Rust-SDK-shaped waPC guest: handlers are "registered" in `wapc_init`; uses bulk memory
;; (memory.copy / memory.fill) and data segments. Scriptable for tests:
;;   validate          -> responds with the request's settings object (the JSON after the last
;;                        `"settings":`), so a test writes the ValidationResponse as settings
;;   validate_settings -> echoes the settings if they start with {"valid", else {"valid":true}
;;   protocol_version  -> "v1"
;;   anything else     -> guest error `Could not find function`
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (import "wapc" "__guest_error" (func $guest_error (param i32 i32)))
  (memory (export "memory") 1)
  (global $registered (mut i32) (i32.const 0))
  (data (i32.const 16) "validate")
  (data (i32.const 32) "validate_settings")
  (data (i32.const 64) "protocol_version")
  (data (i32.const 96) "\"v1\"")
  (data (i32.const 112) "{\"valid\":true}")
  (data (i32.const 128) "\"settings\":")
  (data (i32.const 160) "handlers not registered: wapc_init did not run")
  (data (i32.const 224) "Could not find function")

  (func $eq (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.ne (i32.load8_u (i32.add (local.get $a) (local.get $i)))
                    (i32.load8_u (i32.add (local.get $b) (local.get $i))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const 1))

  (func $ensure (param $bytes i32)
    (local $need i32)
    (local.set $need (i32.shr_u (i32.add (local.get $bytes) (i32.const 0xffff)) (i32.const 16)))
    (if (i32.gt_u (local.get $need) (memory.size))
      (then (drop (memory.grow (i32.sub (local.get $need) (memory.size)))))))

  (func (export "wapc_init")
    (memory.fill (i32.const 0x1000) (i32.const 0) (i32.const 0x1000))
    (global.set $registered (i32.const 1)))

  (func (export "__guest_call") (param $op_len i32) (param $len i32) (result i32)
    (local $i i32) (local $start i32) (local $n i32) (local $out i32)
    (if (i32.eqz (global.get $registered))
      (then (call $guest_error (i32.const 160) (i32.const 46)) (return (i32.const 0))))
    ;; op at 0x1000, payload at 0x2000, output after the payload
    (call $ensure (i32.add (i32.const 0x2000) (i32.mul (local.get $len) (i32.const 2))))
    (call $guest_request (i32.const 0x1000) (i32.const 0x2000))
    (local.set $out (i32.add (i32.const 0x2000) (local.get $len)))

    (if (i32.and (i32.eq (local.get $op_len) (i32.const 8)) (call $eq (i32.const 0x1000) (i32.const 16) (i32.const 8)))
      (then
        (local.set $i (i32.sub (local.get $len) (i32.const 11)))
        (block $found
          (loop $scan
            (br_if $found (i32.lt_s (local.get $i) (i32.const 0)))
            (br_if $found (call $eq (i32.add (i32.const 0x2000) (local.get $i)) (i32.const 128) (i32.const 11)))
            (local.set $i (i32.sub (local.get $i) (i32.const 1)))
            (br $scan)))
        (if (i32.lt_s (local.get $i) (i32.const 0))
          (then (call $guest_error (i32.const 128) (i32.const 11)) (return (i32.const 0))))
        (local.set $start (i32.add (i32.add (i32.const 0x2000) (local.get $i)) (i32.const 11)))
        (local.set $n (i32.sub (i32.sub (local.get $len) (i32.add (local.get $i) (i32.const 11))) (i32.const 1)))
        (memory.copy (local.get $out) (local.get $start) (local.get $n))
        (call $guest_response (local.get $out) (local.get $n))
        (return (i32.const 1))))

    (if (i32.and (i32.eq (local.get $op_len) (i32.const 17)) (call $eq (i32.const 0x1000) (i32.const 32) (i32.const 17)))
      (then
        (if (i32.and (i32.ge_u (local.get $len) (i32.const 8)) (call $eq (i32.const 0x2000) (i32.const 112) (i32.const 8)))
          (then (call $guest_response (i32.const 0x2000) (local.get $len)))
          (else (call $guest_response (i32.const 112) (i32.const 14))))
        (return (i32.const 1))))

    (if (i32.and (i32.eq (local.get $op_len) (i32.const 16)) (call $eq (i32.const 0x1000) (i32.const 64) (i32.const 16)))
      (then (call $guest_response (i32.const 96) (i32.const 4)) (return (i32.const 1))))

    (call $guest_error (i32.const 224) (i32.const 23))
    (i32.const 0))
)

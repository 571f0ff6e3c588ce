;; Uses all nine wapc imports: the operation name is "binding|namespace|operation"; the guest
;; makes that host call with its payload and returns the host response as its response, or
;; the host error as its guest error.
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (import "wapc" "__guest_error" (func $guest_error (param i32 i32)))
  (import "wapc" "__host_call" (func $host_call (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wapc" "__host_response_len" (func $host_response_len (result i32)))
  (import "wapc" "__host_response" (func $host_response (param i32)))
  (import "wapc" "__host_error_len" (func $host_error_len (result i32)))
  (import "wapc" "__host_error" (func $host_error (param i32)))
  (import "wapc" "__console_log" (func $console_log (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "relay: calling host")

  (func $find_bar (param $from i32) (param $end i32) (result i32)
    (local $i i32)
    (local.set $i (local.get $from))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (br_if $done (i32.eq (i32.load8_u (local.get $i)) (i32.const 124)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $i))

  (func $ensure (param $bytes i32)
    (local $need i32)
    (local.set $need (i32.shr_u (i32.add (local.get $bytes) (i32.const 0xffff)) (i32.const 16)))
    (if (i32.gt_u (local.get $need) (memory.size))
      (then (drop (memory.grow (i32.sub (local.get $need) (memory.size)))))))

  (func (export "__guest_call") (param $op_len i32) (param $len i32) (result i32)
    (local $end i32) (local $b1 i32) (local $b2 i32) (local $n i32) (local $out i32)
    (call $ensure (i32.add (i32.const 0x2000) (local.get $len)))
    (call $guest_request (i32.const 0x1000) (i32.const 0x2000))
    (local.set $end (i32.add (i32.const 0x1000) (local.get $op_len)))
    (local.set $b1 (call $find_bar (i32.const 0x1000) (local.get $end)))
    (local.set $b2 (call $find_bar (i32.add (local.get $b1) (i32.const 1)) (local.get $end)))
    (call $console_log (i32.const 16) (i32.const 19))
    (local.set $out (i32.add (i32.const 0x2000) (local.get $len)))
    (if (call $host_call
          (i32.const 0x1000) (i32.sub (local.get $b1) (i32.const 0x1000))
          (i32.add (local.get $b1) (i32.const 1)) (i32.sub (i32.sub (local.get $b2) (local.get $b1)) (i32.const 1))
          (i32.add (local.get $b2) (i32.const 1)) (i32.sub (i32.sub (local.get $end) (local.get $b2)) (i32.const 1))
          (i32.const 0x2000) (local.get $len))
      (then
        (local.set $n (call $host_response_len))
        (call $ensure (i32.add (local.get $out) (local.get $n)))
        (call $host_response (local.get $out))
        (call $guest_response (local.get $out) (local.get $n))
        (return (i32.const 1))))
    (local.set $n (call $host_error_len))
    (call $ensure (i32.add (local.get $out) (local.get $n)))
    (call $host_error (local.get $out))
    (call $guest_error (local.get $out) (local.get $n))
    (i32.const 0))
)

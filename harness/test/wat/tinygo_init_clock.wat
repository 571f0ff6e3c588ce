;; TinyGo-shaped waPC guest (see tinygo_shape.wat) whose `_start` also reads the realtime clock,
;; as TinyGo's runtime initialisation does: snapshot restore is impossible, so `idgov bench`
;; must fall back to a new instance per evaluation. Every call answers {"accepted":true,"message":"now=<ns>"}.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (import "wapc" "__guest_error" (func $guest_error (param i32 i32)))
  (memory (export "memory") 2)
  (global $registered (mut i32) (i32.const 0))
  (data (i32.const 0x200) "tinygo: handling call\n")
  (data (i32.const 0x240) "handlers not registered")
  (data (i32.const 0x280) "random_get failed")
  (data (i32.const 0x500) "{\"accepted\":true,\"message\":\"now=")
  (data (i32.const 0x540) "{\"valid\":true}")

  (func (export "_start")
    ;; like TinyGo's runtime init seeding from the clock: a snapshot would freeze the answer
    (drop (call $clock_time_get (i32.const 0) (i64.const 1000) (i32.const 0x400)))
    (drop (call $args_sizes_get (i32.const 0x100) (i32.const 0x104)))
    (drop (call $environ_sizes_get (i32.const 0x108) (i32.const 0x10c)))
    (if (i32.ne (i32.load (i32.const 0x100)) (i32.const 0)) (then unreachable))
    (global.set $registered (i32.const 1))
    (call $proc_exit (i32.const 0)))

  (func (export "__guest_call") (param $op_len i32) (param $len i32) (result i32)
    (local $v i64) (local $p i32) (local $n i32)
    (if (i32.eqz (global.get $registered))
      (then (call $guest_error (i32.const 0x240) (i32.const 23)) (return (i32.const 0))))
    (if (i32.gt_u (i32.add (i32.const 0x2000) (local.get $len)) (i32.const 0x20000))
      (then (drop (memory.grow (i32.add (i32.shr_u (local.get $len) (i32.const 16)) (i32.const 1))))))
    (call $guest_request (i32.const 0x1000) (i32.const 0x2000))
    (if (i32.eq (local.get $op_len) (i32.const 17))
      (then (call $guest_response (i32.const 0x540) (i32.const 14)) (return (i32.const 1))))
    ;; iovec at 0x180: {ptr=0x200, len=22}
    (i32.store (i32.const 0x180) (i32.const 0x200))
    (i32.store (i32.const 0x184) (i32.const 22))
    (drop (call $fd_write (i32.const 1) (i32.const 0x180) (i32.const 1) (i32.const 0x188)))
    (if (call $random_get (i32.const 0x300) (i32.const 16))
      (then (call $guest_error (i32.const 0x280) (i32.const 17)) (return (i32.const 0))))
    (drop (call $clock_time_get (i32.const 0) (i64.const 1000) (i32.const 0x400)))
    (local.set $v (i64.load (i32.const 0x400)))
    ;; decimal digits, right to left, ending at 0x6ff
    (local.set $p (i32.const 0x6ff))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $v) (i64.const 0))))
    (local.set $n (i32.sub (i32.const 0x6ff) (local.get $p)))
    (memory.copy (i32.const 0x700) (i32.const 0x500) (i32.const 32))
    (memory.copy (i32.const 0x720) (local.get $p) (local.get $n))
    (i32.store8 (i32.add (i32.const 0x720) (local.get $n)) (i32.const 34)) ;; "
    (i32.store8 (i32.add (i32.const 0x721) (local.get $n)) (i32.const 125)) ;; }
    (call $guest_response (i32.const 0x700) (i32.add (local.get $n) (i32.const 34)))
    (i32.const 1))
)

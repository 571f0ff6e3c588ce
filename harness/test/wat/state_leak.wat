;; Tries to leak state from one evaluation to the next through every channel a reused instance
;; has: a mutable global of every numeric type (i32, i64, and f32, f64 starting non-zero), a
;; byte of static memory, pages it grows, and memory.size. Each call reports what it finds,
;; then changes all of it:
;;   {"accepted":true,"message":"g=<g> h=<h> m=<mem[0x400]> pages=<memory.size> old=<memory.grow 2> new=<mem[0x10000] after the grow> f=<trunc f> d=<trunc d>"}
;; On a fresh instance every call reports g=0 h=0 m=0 pages=1 old=1 new=0 f=1 d=2.
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (memory (export "memory") 1 100)
  (global $g (mut i32) (i32.const 0))
  (global $h (mut i64) (i64.const 0))
  (global $f (mut f32) (f32.const 1.5))
  (global $d (mut f64) (f64.const 2.25))
  (data (i32.const 0x100) "{\"accepted\":true,\"message\":\"g=0 h=0 m=0 pages=0 old=0 new=0 f=0 d=0\"}")
  (func $digit (param $at i32) (param $v i32)
    (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10)))))
  (func (export "__guest_call") (param $op_len i32) (param $len i32) (result i32)
    (call $guest_request (i32.const 0x800) (i32.const 0x900))
    (call $digit (i32.const 0x11e) (global.get $g))
    (call $digit (i32.const 0x122) (i32.wrap_i64 (global.get $h)))
    (call $digit (i32.const 0x126) (i32.load8_u (i32.const 0x400)))
    (call $digit (i32.const 0x12e) (memory.size))
    (call $digit (i32.const 0x134) (memory.grow (i32.const 2)))
    (call $digit (i32.const 0x13a) (i32.add (i32.load8_u (i32.const 0x10000)) (i32.load8_u (i32.const 0x2ffff))))
    (call $digit (i32.const 0x13e) (i32.trunc_f32_u (global.get $f)))
    (call $digit (i32.const 0x142) (i32.trunc_f64_u (global.get $d)))
    (call $guest_response (i32.const 0x100) (i32.const 69))
    ;; now leave traces everywhere: globals, static memory, the grown pages
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (global.set $h (i64.add (global.get $h) (i64.const 3)))
    (global.set $f (f32.add (global.get $f) (f32.const 1)))
    (global.set $d (f64.add (global.get $d) (f64.const 3)))
    (i32.store8 (i32.const 0x400) (i32.add (i32.load8_u (i32.const 0x400)) (i32.const 5)))
    (i32.store8 (i32.const 0x10000) (i32.const 7))
    (i32.store8 (i32.const 0x2ffff) (i32.const 2))
    (i32.const 1))
)

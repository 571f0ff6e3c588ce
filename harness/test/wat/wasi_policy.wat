;; WASI-mode policy (executionMode: wasi): `_start` reads argv[1] (validate | validate-settings),
;; reads stdin to EOF, writes the response JSON on stdout. Scriptable through settings:
;;   validate-settings: echoes stdin if it starts with {"valid"; {"fail... -> stderr + exit 1;
;;                      otherwise {"valid":true}
;;   validate, by the first key of the settings object:
;;     {"host...  -> host.call(kubewarden, net, v1/dns_lookup_host, "example.com"); then reads the
;;                   reply appended to stdin; status 0 -> {"accepted":true,"warnings":[<reply>]},
;;                   status 1 -> reply on stderr, exit 1
;;     {"exit...  -> "policy failed on purpose" on stderr, exit 2
;;     {"trap...  -> unreachable
;;     otherwise  -> the settings object itself is the ValidationResponse
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "host" "call" (func $host_call (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 8)
  (data (i32.const 0x300) "validate-settings")
  (data (i32.const 0x320) "validate")
  (data (i32.const 0x360) "{\"valid\":true}")
  (data (i32.const 0x380) "\"settings\":")
  (data (i32.const 0x3a0) "{\"host")
  (data (i32.const 0x3b0) "{\"exit")
  (data (i32.const 0x3c0) "{\"trap")
  (data (i32.const 0x3d0) "kubewarden")
  (data (i32.const 0x3e0) "net")
  (data (i32.const 0x3f0) "v1/dns_lookup_host")
  (data (i32.const 0x410) "\"example.com\"")
  (data (i32.const 0x430) "{\"accepted\":true,\"warnings\":[")
  (data (i32.const 0x460) "]}")
  (data (i32.const 0x470) "policy failed on purpose\n")
  (data (i32.const 0x490) "{\"fail")
  (data (i32.const 0x4a0) "settings rejected\n")

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

  ;; reads fd 0 to EOF into $at; returns the byte count
  (func $read_all (param $at i32) (result i32)
    (local $total i32)
    (loop $more
      (i32.store (i32.const 0x40) (i32.add (local.get $at) (local.get $total)))
      (i32.store (i32.const 0x44) (i32.sub (i32.const 0x40000) (local.get $total)))
      (if (call $fd_read (i32.const 0) (i32.const 0x40) (i32.const 1) (i32.const 0x48)) (then unreachable))
      (local.set $total (i32.add (local.get $total) (i32.load (i32.const 0x48))))
      (br_if $more (i32.ne (i32.load (i32.const 0x48)) (i32.const 0))))
    (local.get $total))

  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0x50) (local.get $ptr))
    (i32.store (i32.const 0x54) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0x50) (i32.const 1) (i32.const 0x58))))

  (func (export "_start")
    (local $len i32) (local $i i32) (local $start i32) (local $n i32) (local $status i32) (local $reply i32)
    (drop (call $args_sizes_get (i32.const 0x10) (i32.const 0x14)))
    (drop (call $args_get (i32.const 0x20) (i32.const 0x100)))
    (local.set $len (call $read_all (i32.const 0x10000)))

    ;; argv[1] == "validate-settings"
    (if (call $eq (i32.load (i32.const 0x24)) (i32.const 0x300) (i32.const 18))
      (then
        (if (call $eq (i32.const 0x10000) (i32.const 0x360) (i32.const 8))
          (then (call $write (i32.const 1) (i32.const 0x10000) (local.get $len)) (return)))
        (if (call $eq (i32.const 0x10000) (i32.const 0x490) (i32.const 6))
          (then (call $write (i32.const 2) (i32.const 0x4a0) (i32.const 18)) (call $proc_exit (i32.const 1))))
        (call $write (i32.const 1) (i32.const 0x360) (i32.const 14))
        (return)))

    ;; validate: locate the settings object (after the last "settings":)
    (local.set $i (i32.sub (local.get $len) (i32.const 11)))
    (block $found
      (loop $scan
        (br_if $found (i32.lt_s (local.get $i) (i32.const 0)))
        (br_if $found (call $eq (i32.add (i32.const 0x10000) (local.get $i)) (i32.const 0x380) (i32.const 11)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br $scan)))
    (if (i32.lt_s (local.get $i) (i32.const 0)) (then unreachable))
    (local.set $start (i32.add (i32.add (i32.const 0x10000) (local.get $i)) (i32.const 11)))
    (local.set $n (i32.sub (i32.sub (local.get $len) (i32.add (local.get $i) (i32.const 11))) (i32.const 1)))

    (if (call $eq (local.get $start) (i32.const 0x3c0) (i32.const 6)) (then unreachable))
    (if (call $eq (local.get $start) (i32.const 0x3b0) (i32.const 6))
      (then (call $write (i32.const 2) (i32.const 0x470) (i32.const 25)) (call $proc_exit (i32.const 2))))
    (if (call $eq (local.get $start) (i32.const 0x3a0) (i32.const 6))
      (then
        (local.set $status (call $host_call
          (i32.const 0x3d0) (i32.const 10) (i32.const 0x3e0) (i32.const 3)
          (i32.const 0x3f0) (i32.const 18) (i32.const 0x410) (i32.const 13)))
        (local.set $reply (i32.add (i32.const 0x10000) (local.get $len)))
        (local.set $n (call $read_all (local.get $reply)))
        (if (local.get $status)
          (then (call $write (i32.const 2) (local.get $reply) (local.get $n)) (call $proc_exit (i32.const 1))))
        (call $write (i32.const 1) (i32.const 0x430) (i32.const 29))
        (call $write (i32.const 1) (local.get $reply) (local.get $n))
        (call $write (i32.const 1) (i32.const 0x460) (i32.const 2))
        (return)))
    (call $write (i32.const 1) (local.get $start) (local.get $n)))
)

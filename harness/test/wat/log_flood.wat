;; waPC module that logs 1 MiB lines through __console_log without end, on every operation:
;; the host must keep a bounded log (and stop it at the time limit), never run out of heap.
(module
  (import "wapc" "__console_log" (func $console_log (param i32 i32)))
  (memory (export "memory") 17)
  (func (export "__guest_call") (param i32 i32) (result i32)
    (loop $forever
      (call $console_log (i32.const 0) (i32.const 1048576))
      (br $forever))
    (i32.const 1))
)

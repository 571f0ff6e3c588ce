;; A waPC module with a start section (what AssemblyScript emits without
;; --exportStart): it runs before policy-server sets the epoch deadline.
(module
  (memory (export "memory") 1)
  (global $ready (mut i32) (i32.const 0))
  (func $init (global.set $ready (i32.const 1)))
  (func (export "__guest_call") (param i32 i32) (result i32) (i32.const 1))
  (start $init))

;; Hands the host a response range far outside its memory.
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "__guest_call") (param i32 i32) (result i32)
    (call $guest_response (i32.const 0xfffff000) (i32.const 100))
    (i32.const 1))
)

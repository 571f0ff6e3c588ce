;; waPC module whose wapc_init never returns: asking it anything (protocol_version included)
;; must end at the time limit instead of hanging the host (idgov annotate).
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "wapc_init") (loop $forever (br $forever)))
  (func (export "__guest_call") (param i32 i32) (result i32) (i32.const 1))
)

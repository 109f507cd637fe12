; Two instances of the sub-patch lib/detuned.lisp a fifth apart, one in each channel: their
; nodes play as `bass/low`, `lead/lp` and so on.
(patch
  (nodes
    (bass (type "lib/detuned.lisp") (freq 55) (cutoff 600))
    (lead (type "lib/detuned.lisp") (freq 82.5) (detune 1.5))
    (out (type "output")))
  (connections
    (bass "out" -> out "left")
    (lead "out" -> out "right")))

; Live processing: the host's first input channel, low-passed at 2 kHz, at half level.
; Render a file through it with `patchvm render patches/through.lisp --input IN.wav -o OUT.wav`.
(patch
  (nodes
    (mic (type "input") (channel 0))
    (lp (type "filter.lowpass") (cutoff 2000))
    (level (type "gain") (amp 0.5))
    (out (type "output")))
  (connections
    (mic "out" -> lp "in")
    (lp "out" -> level "in")
    (level "out" -> out "in")))

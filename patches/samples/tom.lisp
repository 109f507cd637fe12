; The kit's tom: drum.tom struck once at sample 0, 0.4 s (see make.sh).
(patch
  (nodes
    (hit (type "drum.tom") (trig 1) (tune 110) (decay_s 0.35))
    (level (type "gain") (amp 0.9))
    (out (type "output")))
  (connections
    (hit "out" -> level "in")
    (level "out" -> out "in")))

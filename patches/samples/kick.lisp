; The kit's kick: drum.kick struck once at sample 0, 0.5 s (see make.sh).
(patch
  (nodes
    (hit (type "drum.kick") (trig 1) (tune 48) (decay_s 0.45) (sweep 3.5))
    (level (type "gain") (amp 0.9))
    (out (type "output")))
  (connections
    (hit "out" -> level "in")
    (level "out" -> out "in")))

; The kit's closed hat: drum.hat_closed struck once at sample 0, 0.1 s (see make.sh).
(patch
  (nodes
    (hit (type "drum.hat_closed") (trig 1) (decay_s 0.06))
    (level (type "gain") (amp 0.8))
    (out (type "output")))
  (connections
    (hit "out" -> level "in")
    (level "out" -> out "in")))

; The kit's open hat: drum.hat_open struck once at sample 0, 0.5 s (see make.sh).
(patch
  (nodes
    (hit (type "drum.hat_open") (trig 1) (decay_s 0.45))
    (level (type "gain") (amp 0.8))
    (out (type "output")))
  (connections
    (hit "out" -> level "in")
    (level "out" -> out "in")))

; The kit's snare: drum.snare struck once at sample 0, 0.3 s (see make.sh).
(patch
  (nodes
    (hit (type "drum.snare") (trig 1) (tune 190) (decay_s 0.22) (snappy 0.65))
    (level (type "gain") (amp 0.9))
    (out (type "output")))
  (connections
    (hit "out" -> level "in")
    (level "out" -> out "in")))

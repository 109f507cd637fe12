; The kit's clap: drum.clap struck once at sample 0, 0.35 s (see make.sh).
(patch
  (nodes
    (hit (type "drum.clap") (trig 1) (tone 1100) (decay_s 0.3))
    (level (type "gain") (amp 0.9))
    (out (type "output")))
  (connections
    (hit "out" -> level "in")
    (level "out" -> out "in")))

; Two independent noise sources, one per channel, low-passed at different cutoffs.
(patch
  (nodes
    (noise_l (type "noise.white"))
    (noise_r (type "noise.white"))
    (lp_l (type "filter.lowpass") (cutoff 800))
    (lp_r (type "filter.lowpass") (cutoff 3000))
    (gain_l (type "gain") (amp 0.3))
    (gain_r (type "gain") (amp 0.3))
    (out (type "output")))
  (connections
    (noise_l "out" -> lp_l "in")
    (noise_r "out" -> lp_r "in")
    (lp_l "out" -> gain_l "in")
    (lp_r "out" -> gain_r "in")
    (gain_l "out" -> out "left")
    (gain_r "out" -> out "right")))

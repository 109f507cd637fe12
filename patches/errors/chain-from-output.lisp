; A chain leaves each node by its first output: `out` has none.
(patch
  (out output)
  (lfo1 lfo.sine (freq 2))
  (-> (osc.saw (freq 110)) (filter.lowpass (cutoff lfo1)) out (gain (amp 0.5))))

; The seeds' toy patch: a 440 Hz sine at half amplitude.
(patch
  (nodes
    (osc1 (type "osc.sine") (freq 440))
    (gain1 (type "gain") (amp 0.5))
    (out (type "output")))
  (connections
    (osc1 "out" -> gain1 "in")
    (gain1 "out" -> out "in")))

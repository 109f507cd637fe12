(patch
  (nodes
    (osc1 (type "osc.sin") (freq 440))
    (out (type "output")))
  (connections
    (osc1 "out" -> out "in")))

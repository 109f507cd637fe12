; bench-peers w1 (toy): sine 440 Hz -> gain 0.5.
(patch
  (nodes
    (osc (type "osc.sine") (freq 440))
    (level (type "gain") (amp 0.5))
    (out (type "output")))
  (connections
    (osc "out" -> level "in")
    (level "out" -> out "in")))

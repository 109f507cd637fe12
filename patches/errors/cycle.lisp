(patch
  (nodes
    (a (type "gain"))
    (b (type "filter.lowpass"))
    (out (type "output")))
  (connections
    (a "out" -> b "in")
    (b "out" -> a "in")
    (b "out" -> out "in")))

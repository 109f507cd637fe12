; A pattern's group left open is reported at its bracket, inside the string.
(patch
  (nodes
    (drums (type "seq.pattern") (pattern "bd [sd hh bd"))
    (kick (type "drum.kick"))
    (out (type "output")))
  (connections
    (drums "bd" -> kick "trig")
    (kick "out" -> out "in")))

; A sub-patch: two saws a little apart through a low-pass, offered to other patches as one
; node with a frequency, a detune (Hz) and a cutoff to set, and one output to read.
(patch
  (params
    (freq pitch "value")
    (detune spread "b")
    (cutoff lp "cutoff"))
  (outputs
    (out level "out"))
  (nodes
    (pitch (type "const") (value 110))
    (spread (type "math.add") (b 0.7))
    (low (type "osc.saw"))
    (high (type "osc.saw"))
    (lp (type "filter.lowpass") (cutoff 1200) (q 0.8))
    (level (type "gain") (amp 0.3)))
  (connections
    (pitch "out" -> low "freq")
    (pitch "out" -> spread "a")
    (spread "out" -> high "freq")
    (low "out" -> lp "in")
    (high "out" -> lp "in")
    (lp "out" -> level "in")))

; A voice template whose output names a port its node does not have: reported once, at the
; template's own text, however many voices the patch plays.
(patch
  (nodes
    (out (type "output")))
  (connections
    (synth "out" -> out "in"))
  (voice synth
    (nodes
      (note (type "voice"))
      (osc (type "osc.saw"))
      (vca (type "mul")))
    (connections
      (note "pitch" -> osc "freq")
      (osc "out" -> vca "a")
      (note "gate" -> vca "b"))
    (outputs
      (out vca "output"))))

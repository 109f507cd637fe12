; Tempo changes come at strictly increasing beats, each tempo within 1..=999 bpm.
(patch
  (transport
    (bpm 120)
    (meter 4 4)
    (tempo (step 32 140) (ramp 16 90) (ramp 64 1200)))
  (o osc.sine)
  (out output)
  (-> o out))

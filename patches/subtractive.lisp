; A plucked saw through a resonant low-pass, with an echo at half level every 0.375 s,
; fed back through a delay at 0.4.
(patch
  (nodes
    (clock (type "osc.square") (freq 2))        ; gate: open 0.25 s of every 0.5 s
    (env (type "env.adsr") (attack 0.005) (decay 0.2) (sustain 0.3) (release 0.2))
    (saw (type "osc.saw") (freq 110))
    (sweep (type "mul"))                         ; cutoff = 3000 * envelope + 300
    (depth (type "const") (value 3000))
    (floor (type "const") (value 300))
    (lp (type "filter.lowpass") (q 4))
    (vca (type "mul"))
    (echo (type "delay") (time 0.375))
    (feedback (type "gain") (amp 0.4))
    (wet (type "gain") (amp 0.5))
    (level (type "gain") (amp 0.35))
    (out (type "output")))
  (connections
    (clock "out" -> env "gate")
    (env "out" -> sweep "a")
    (depth "out" -> sweep "b")
    (sweep "out" -> lp "cutoff")
    (floor "out" -> lp "cutoff")
    (saw "out" -> lp "in")
    (lp "out" -> vca "a")
    (env "out" -> vca "b")
    (vca "out" -> echo "in")
    (echo "out" -> feedback "in")
    (feedback "out" -> echo "in")
    (vca "out" -> level "in")
    (echo "out" -> wet "in")
    (wet "out" -> level "in")
    (level "out" -> out "in")))

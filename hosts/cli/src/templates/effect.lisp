; An effect to start from: the first input channel with an echo every 0.375 s, fed back at
; 0.4. Play it live on the sound card's input (`patchvm play FILE`), or through a file
; (`patchvm render FILE --input IN.wav -o OUT.wav`).
(patch
  (nodes
    (source (type "input") (channel 0))
    (echo (type "delay") (time 0.375))
    (feedback (type "gain") (amp 0.4))
    (wet (type "gain") (amp 0.5))
    (level (type "gain") (amp 0.8))
    (out (type "output")))
  (connections
    (source "out" -> echo "in")
    (echo "out" -> feedback "in")
    (feedback "out" -> echo "in")
    (source "out" -> level "in")
    (echo "out" -> wet "in")
    (wet "out" -> level "in")
    (level "out" -> out "in")))

# gradient-variance.gp — draws gradient-variance.png from gradient-variance.dat. Re-draw with: cd <this folder> && gnuplot gradient-variance.gp
set terminal pngcairo size 760,460 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'gradient-variance.png'
set output outfile
set datafile missing 'NaN'
set title 'Variance of ∂loss/∂μ over 200 noise draws, one batch of 128 (trained posterior)'
set xlabel 'layer'
set ylabel 'mean per-weight variance (log scale)'
set key top left
set grid lc rgb '#dddddd'
set logscale y 10.0
set yrange [3.162277660168379e-07:0.0031622776601683794]
set format y '10^{%L}'
set xtics ('conv1' 0, 'conv2' 1, 'fc1' 2, 'fc2' 3, 'fc3' 4)
set xrange [-0.6:4.6]
plot 'gradient-variance.dat' index 0 using 1:2:3 with boxes fs solid 0.8 border lc rgb '#404040' fc rgb '#1f77b4' title 'BBB', \
     'gradient-variance.dat' index 1 using 1:2:3 with boxes fs solid 0.8 border lc rgb '#404040' fc rgb '#ff7f0e' title 'LRT', \
     'gradient-variance.dat' index 2 using 1:2:3 with boxes fs solid 0.8 border lc rgb '#404040' fc rgb '#2ca02c' title 'Flipout', \
     'gradient-variance.dat' index 3 using 1:2:3 with boxes fs solid 0.8 border lc rgb '#404040' fc rgb '#7f7f7f' title 'minibatch choice, no weight noise'

# reliability-mnist.gp — draws reliability-mnist.png from reliability-mnist.dat. Re-draw with: cd <this folder> && gnuplot reliability-mnist.gp
set terminal pngcairo size 560,420 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'reliability-mnist.png'
set output outfile
set datafile missing 'NaN'
set title 'MNIST: reliability diagram (15 bins)'
set xlabel 'confidence max_c p̄_c'
set ylabel 'accuracy'
set key top left
set grid lc rgb '#dddddd'
set xrange [0.0:1.0]
set yrange [0.0:1.0]
plot 'reliability-mnist.dat' index 0 using 1:2 with lines lw 1.0 dt 2 lc rgb '#808080' title 'perfect calibration', \
     'reliability-mnist.dat' index 1 using 1:2 with lines lw 2.0 lc rgb '#1f77b4' title 'Bayesian (T = 12)', \
     'reliability-mnist.dat' index 2 using 1:2 with points pt 7 ps 0.8 lc rgb '#1f77b4' notitle, \
     'reliability-mnist.dat' index 3 using 1:2 with lines lw 2.0 lc rgb '#ff7f0e' title 'frequentist', \
     'reliability-mnist.dat' index 4 using 1:2 with points pt 7 ps 0.8 lc rgb '#ff7f0e' notitle

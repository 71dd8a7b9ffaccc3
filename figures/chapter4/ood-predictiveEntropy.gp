# ood-predictiveEntropy.gp — draws ood-predictiveEntropy.png from ood-predictiveEntropy.dat. Re-draw with: cd <this folder> && gnuplot ood-predictiveEntropy.gp
set terminal pngcairo size 560,380 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'ood-predictiveEntropy.png'
set output outfile
set datafile missing 'NaN'
set title 'predictive entropy H[p̄]'
set xlabel 'score'
set ylabel 'density'
set key top right
set grid lc rgb '#dddddd'
set logscale y 10.0
plot 'ood-predictiveEntropy.dat' index 0 using 1:2:3 with boxes fs transparent solid 0.5 border lc rgb '#404040' fc rgb '#1f77b4' title 'MNIST test digits', \
     'ood-predictiveEntropy.dat' index 1 using 1:2:3 with boxes fs transparent solid 0.5 border lc rgb '#404040' fc rgb '#d62728' title 'notMNIST letters'

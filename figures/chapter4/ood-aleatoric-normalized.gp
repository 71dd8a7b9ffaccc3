# ood-aleatoric-normalized.gp — draws ood-aleatoric-normalized.png from ood-aleatoric-normalized.dat. Re-draw with: cd <this folder> && gnuplot ood-aleatoric-normalized.gp
set terminal pngcairo size 560,380 enhanced font 'DejaVu Sans,10'
if (!exists("outfile")) outfile = 'ood-aleatoric-normalized.png'
set output outfile
set datafile missing 'NaN'
set title 'aleatoric (trace), normalized'
set xlabel 'score'
set ylabel 'density'
set key top right
set grid lc rgb '#dddddd'
set logscale y 10.0
plot 'ood-aleatoric-normalized.dat' index 0 using 1:2:3 with boxes fs transparent solid 0.5 border lc rgb '#404040' fc rgb '#1f77b4' title 'MNIST test digits', \
     'ood-aleatoric-normalized.dat' index 1 using 1:2:3 with boxes fs transparent solid 0.5 border lc rgb '#404040' fc rgb '#d62728' title 'notMNIST letters'

<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>DrawingCanvas</name>
    <message>
        <location filename="../canvas.py" line="60" />
        <source>Draw a digit with the left mouse button</source>
        <translation>按住鼠标左键写一个数字</translation>
    </message>
</context>
<context>
    <name>DrawingTools</name>
    <message>
        <location filename="../drawing_tools.py" line="18" />
        <location filename="../drawing_tools.py" line="41" />
        <source>Pen width</source>
        <translation>笔的粗细</translation>
    </message>
    <message>
        <location filename="../drawing_tools.py" line="20" />
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <location filename="../drawing_tools.py" line="21" />
        <source>Erase parts of the drawing (E)</source>
        <translation>擦掉部分笔画（E）</translation>
    </message>
    <message>
        <location filename="../drawing_tools.py" line="24" />
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../drawing_tools.py" line="25" />
        <source>Undo the last stroke (Ctrl+Z)</source>
        <translation>撤销上一笔（Ctrl+Z）</translation>
    </message>
    <message>
        <location filename="../drawing_tools.py" line="27" />
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <location filename="../drawing_tools.py" line="28" />
        <source>Redo (Ctrl+Shift+Z)</source>
        <translation>重做（Ctrl+Shift+Z）</translation>
    </message>
    <message>
        <location filename="../drawing_tools.py" line="30" />
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <location filename="../drawing_tools.py" line="32" />
        <source>Clear the canvas (Esc or Delete)</source>
        <translation>清空画板（Esc 或 Delete）</translation>
    </message>
</context>
<context>
    <name>EvaluatePanel</name>
    <message>
        <location filename="../evaluate_panel.py" line="42" />
        <source>Evaluate a model on the built-in MNIST sample or on a folder.</source>
        <translation>在内置的 MNIST 样本或某个文件夹上评估模型。</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="57" />
        <source>Built-in MNIST sample (1,000 test digits)</source>
        <translation>内置 MNIST 样本（1,000 个测试数字）</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="58" />
        <source>A dataset folder</source>
        <translation>数据集文件夹</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="61" />
        <source>A folder with subfolders 0 to 9</source>
        <translation>含有子文件夹 0 到 9 的文件夹</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="62" />
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="68" />
        <source>The model in use</source>
        <translation>当前使用的模型</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="69" />
        <source>CNN (shipped)</source>
        <translation>CNN（内置）</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="70" />
        <source>MLP (shipped)</source>
        <translation>MLP（内置）</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="72" />
        <source>Images</source>
        <translation>图片</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="73" />
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="74" />
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="79" />
        <source>Evaluate</source>
        <translation>评估</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="82" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="93" />
        <source>Rows: true digit; columns: predicted. Click a cell to see its images.</source>
        <translation>行：真实数字；列：预测数字。点击格子查看其中的图片。</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="96" />
        <source>Confusion matrix (click a cell)</source>
        <translation>混淆矩阵（点击格子）</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="105" />
        <source>predicted</source>
        <translation>预测</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="106" />
        <source>true</source>
        <translation>真实</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="126" />
        <source>Reliability: accuracy against stated confidence</source>
        <translation>可靠性：准确率与模型给出的置信度</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="127" />
        <source>confidence</source>
        <translation>置信度</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="128" />
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="140" />
        <source>Click a cell of the matrix to see its images.</source>
        <translation>点击矩阵中的格子查看对应图片。</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="161" />
        <source>Dataset folder</source>
        <translation>数据集文件夹</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="176" />
        <source>No model is loaded yet.</source>
        <translation>还没有加载模型。</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="185" />
        <source>Evaluating…</source>
        <translation>正在评估…</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="205" />
        <source>Loading images</source>
        <translation>正在读取图片</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="205" />
        <source>Evaluating</source>
        <translation>正在评估</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="215" />
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="210" />
        <source>Evaluation stopped: {message}</source>
        <translation>评估中止：{message}</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="229" />
        <source> · turned away as not digits: {u:.2%}</source>
        <translation> · 被判定为“不是数字”：{u:.2%}</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="231" />
        <source>Accuracy {a:.2%} on {n} images · calibration error (ECE) {e:.2%}{u}
Per class: {c}</source>
        <translation>{n} 张图片上的准确率 {a:.2%} · 校准误差（ECE）{e:.2%}{u}
各类别：{c}</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="270" />
        <source>read correctly</source>
        <translation>识别正确</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="270" />
        <source>misread</source>
        <translation>识别错误</translation>
    </message>
    <message>
        <location filename="../evaluate_panel.py" line="272" />
        <source>True {t}, predicted {p}: {n} images ({kind})</source>
        <translation>真实 {t}，预测 {p}：{n} 张图片（{kind}）</translation>
    </message>
</context>
<context>
    <name>HandwritingBox</name>
    <message>
        <location filename="../handwriting_box.py" line="20" />
        <source>My handwriting</source>
        <translation>我的手写数字</translation>
    </message>
    <message>
        <location filename="../handwriting_box.py" line="31" />
        <source>Save the drawing as a {d} (key {d})</source>
        <translation>把这幅画保存为 {d}（按键 {d}）</translation>
    </message>
    <message>
        <location filename="../handwriting_box.py" line="35" />
        <source>Not a digit</source>
        <translation>不是数字</translation>
    </message>
    <message>
        <location filename="../handwriting_box.py" line="37" />
        <source>Save the drawing as something that is not a digit: fine-tuning teaches it to the not-a-digit check</source>
        <translation>把这幅画保存为“不是数字”：微调时会教给“不是数字”检查</translation>
    </message>
    <message>
        <location filename="../handwriting_box.py" line="44" />
        <source>Undo last save</source>
        <translation>撤销上次保存</translation>
    </message>
    <message>
        <location filename="../handwriting_box.py" line="47" />
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
    <message>
        <location filename="../handwriting_box.py" line="48" />
        <source>Where your labelled drawings are kept</source>
        <translation>已标注的手写数字保存在哪里</translation>
    </message>
    <message>
        <location filename="../handwriting_box.py" line="70" />
        <source>Draw a digit first, then label it.</source>
        <translation>请先写一个数字，再给它标注。</translation>
    </message>
    <message>
        <location filename="../handwriting_box.py" line="75" />
        <source>Could not save into {folder}: {error}</source>
        <translation>无法保存到 {folder}：{error}</translation>
    </message>
    <message>
        <location filename="../handwriting_box.py" line="98" />
        <source>Folder for your drawings</source>
        <translation>保存手写数字的文件夹</translation>
    </message>
    <message>
        <location filename="../handwriting_box.py" line="111" />
        <source>not a digit: {n}</source>
        <translation>不是数字：{n}</translation>
    </message>
    <message>
        <location filename="../handwriting_box.py" line="112" />
        <source>{total} saved in {folder}
{listing}</source>
        <translation>已保存 {total} 个，位于 {folder}
{listing}</translation>
    </message>
</context>
<context>
    <name>HeatMapView</name>
    <message>
        <location filename="../heat_map_view.py" line="18" />
        <source>Heat map: which pixels made the answer</source>
        <translation>热力图：哪些像素决定了答案</translation>
    </message>
    <message>
        <location filename="../heat_map_view.py" line="26" />
        <location filename="../heat_map_view.py" line="56" />
        <source>Draw a digit to see which of its pixels the network relied on.</source>
        <translation>写一个数字，看看网络依靠的是哪些像素。</translation>
    </message>
    <message>
        <location filename="../heat_map_view.py" line="43" />
        <source>Integrated gradients</source>
        <translation>积分梯度</translation>
    </message>
    <message>
        <location filename="../heat_map_view.py" line="47" />
        <source>Grad-CAM: the regions the last convolutions found evidence in</source>
        <translation>Grad-CAM：最后几层卷积找到证据的区域</translation>
    </message>
    <message>
        <location filename="../heat_map_view.py" line="49" />
        <source>Red pixels pushed the answer {d} up, blue ones pushed it down; the brighter, the stronger (integrated gradients{cam}).</source>
        <translation>红色像素推高了答案 {d} 的得分，蓝色像素拉低了它；越亮作用越强（积分梯度{cam}）。</translation>
    </message>
    <message>
        <location filename="../heat_map_view.py" line="50" />
        <source>; right: Grad-CAM</source>
        <translation>；右图：Grad-CAM</translation>
    </message>
</context>
<context>
    <name>InsidePanel</name>
    <message>
        <location filename="../inside_panel.py" line="40" />
        <source>Inside the network, for your drawing</source>
        <translation>网络内部：你写的数字在每一层的样子</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="50" />
        <location filename="../inside_panel.py" line="104" />
        <source>Draw a digit to see what each layer makes of it.</source>
        <translation>写一个数字，看看每一层把它变成了什么。</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="107" />
        <source>Kernels of Conv2d 1</source>
        <translation>第一层卷积的卷积核</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="107" />
        <source>Pixels behind the answer</source>
        <translation>决定答案的像素</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="122" />
        <source>{c} maps of {h}×{w}</source>
        <translation>{c} 张 {h}×{w} 的特征图</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="124" />
        <source>{n} numbers</source>
        <translation>{n} 个数</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="128" />
        <source>Click a map to enlarge it with its kernel.</source>
        <translation>点击一张特征图，放大显示它和它的卷积核。</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="138" />
        <source>&lt;b&gt;Kernels of Conv2d 1&lt;/b&gt; — {n} learned {k}×{k} filters: bright weights add the pixel under them, dark ones subtract it</source>
        <translation>&lt;b&gt;第一层卷积的卷积核&lt;/b&gt; — {n} 个学到的 {k}×{k} 卷积核：亮的权重加上它下面的像素，暗的权重减去它</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="144" />
        <source>&lt;b&gt;Pixels behind the answer {d}&lt;/b&gt; — weights × input: red pixels pushed the score of {d} up, blue ones pushed it down</source>
        <translation>&lt;b&gt;决定答案 {d} 的像素&lt;/b&gt; — 权重 × 输入：红色像素提高了 {d} 的分数，蓝色像素降低了它</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="173" />
        <source>Map {i} and its kernel</source>
        <translation>第 {i} 张特征图和它的卷积核</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="179" />
        <source>lays the image out as one long row of numbers</source>
        <translation>把图片展开成一长串数字</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="180" />
        <source>every output is a weighted sum of all inputs, plus a bias</source>
        <translation>每个输出都是所有输入的加权和，再加上偏置</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="181" />
        <source>keeps positive values, turns negative ones into 0</source>
        <translation>保留正数，把负数变成 0</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="182" />
        <source>slides small learned filters over the image: each map shows where one filter matches</source>
        <translation>让学到的小卷积核在图片上滑动：每张特征图显示一个卷积核在哪里匹配</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="183" />
        <source>rescales each map to a steady range, which makes training faster</source>
        <translation>把每张特征图缩放到稳定的范围，让训练更快</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="184" />
        <source>keeps the largest value of each 2×2 block: half the size, the strongest signals</source>
        <translation>保留每个 2×2 区域中的最大值：尺寸减半，留下最强的信号</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="185" />
        <source>during training, switches random values off (does nothing when predicting)</source>
        <translation>训练时随机关掉一些值（预测时不起作用）</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="186" />
        <source>turns the ten scores into probabilities that sum to 1</source>
        <translation>把十个分数变成总和为 1 的概率</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="195" />
        <source>Convolution by hand (the tutorial's example; edit the numbers)</source>
        <translation>手算卷积（教程中的例子；可以修改数字）</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="206" />
        <source>Click an output cell to see the multiply-and-add behind it.</source>
        <translation>点击一个输出格子，查看它背后的乘法与加法。</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="210" />
        <source>Use a 5×5 patch of my drawing</source>
        <translation>使用我画的数字中的 5×5 区域</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="213" />
        <source>Input 5×5</source>
        <translation>输入 5×5</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="213" />
        <source>Kernel 3×3</source>
        <translation>卷积核 3×3</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="214" />
        <source>Conv2d</source>
        <translation>卷积 Conv2d</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="214" />
        <source>ReLU</source>
        <translation>激活 ReLU</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="215" />
        <source>MaxPool2d(2, 2, pad 1)</source>
        <translation>最大池化 MaxPool2d(2, 2, 填充 1)</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="215" />
        <source>Flatten</source>
        <translation>展平 Flatten</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="232" />
        <source>Every input and kernel cell needs a number.</source>
        <translation>输入和卷积核的每个格子都需要一个数字。</translation>
    </message>
    <message>
        <location filename="../inside_panel.py" line="251" />
        <source>Draw a digit first.</source>
        <translation>请先写一个数字。</translation>
    </message>
</context>
<context>
    <name>LookalikeStrip</name>
    <message>
        <location filename="../lookalike_strip.py" line="33" />
        <source>Training digits the network finds most alike</source>
        <translation>网络认为最相似的训练数字</translation>
    </message>
    <message>
        <location filename="../lookalike_strip.py" line="34" />
        <source>Nearest in the network's own features (the input of its last layer). A wrong answer often has wrong-looking look-alikes.</source>
        <translation>在网络自己的特征空间（最后一层的输入）里最接近的数字。答错时，相似数字往往也像错的那个。</translation>
    </message>
    <message>
        <location filename="../lookalike_strip.py" line="67" />
        <source>Label {label}, similarity {s:.2f}</source>
        <translation>标签 {label}，相似度 {s:.2f}</translation>
    </message>
    <message>
        <location filename="../lookalike_strip.py" line="95" />
        <source>Look-alike</source>
        <translation>相似数字</translation>
    </message>
    <message>
        <location filename="../lookalike_strip.py" line="97" />
        <source>Label {label} · digit #{index} of {origin} · similarity {s:.2f}</source>
        <translation>标签 {label} · {origin}中的第 {index} 号 · 相似度 {s:.2f}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main_window.py" line="149" />
        <source>Loading model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="157" />
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="158" />
        <location filename="../main_window.py" line="177" />
        <source>Evaluate</source>
        <translation>评估</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="159" />
        <source>Inside</source>
        <translation>网络内部</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="161" />
        <source>Train and evaluate</source>
        <translation>训练与评估</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="221" />
        <source>{error} Using the CPU instead.</source>
        <translation>{error} 改用 CPU。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="226" />
        <source>No model loaded</source>
        <translation>没有加载模型</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="250" />
        <source>The number read, digit by digit, left to right</source>
        <translation>读出的数，从左到右逐位识别</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="302" />
        <location filename="../main_window.py" line="321" />
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="285" />
        <source>Cannot open '{name}': not a readable image.</source>
        <translation>无法打开“{name}”：不是可读取的图片。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="120" />
        <source>Number</source>
        <translation>多位数</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="122" />
        <source>A wider page: write several digits side by side and read the number</source>
        <translation>更宽的画布：并排写几个数字，读出整个数</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="300" />
        <source>Could not save '{path}': {error}</source>
        <translation>无法保存“{path}”：{error}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="309" />
        <source>Exporting {path}…</source>
        <translation>正在导出 {path}…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="315" />
        <source>Exported {model} (contract in {info})</source>
        <translation>已导出 {model}（输入约定见 {info}）</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="333" />
        <source>Finish or cancel the training or evaluation first.</source>
        <translation>请先等训练或评估结束，或取消它。</translation>
    </message>
</context>
<context>
    <name>Menus</name>
    <message>
        <location filename="../menus.py" line="31" />
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../menus.py" line="32" />
        <source>&amp;Open image…</source>
        <translation>打开图片(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../menus.py" line="33" />
        <source>&amp;Load checkpoint…</source>
        <translation>加载模型文件(&amp;L)…</translation>
    </message>
    <message>
        <location filename="../menus.py" line="34" />
        <source>&amp;Save drawing as PNG…</source>
        <translation>把画保存为 PNG(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../menus.py" line="35" />
        <source>&amp;Export model (ONNX)…</source>
        <translation>导出模型 (ONNX)(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../menus.py" line="37" />
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../menus.py" line="38" />
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../menus.py" line="39" />
        <source>&amp;Undo stroke</source>
        <translation>撤销一笔(&amp;U)</translation>
    </message>
    <message>
        <location filename="../menus.py" line="40" />
        <source>&amp;Redo stroke</source>
        <translation>重做一笔(&amp;R)</translation>
    </message>
    <message>
        <location filename="../menus.py" line="42" />
        <source>&amp;Clear canvas</source>
        <translation>清空画板(&amp;C)</translation>
    </message>
    <message>
        <location filename="../menus.py" line="43" />
        <source>&amp;Label drawing as</source>
        <translation>把这幅画标注为(&amp;L)</translation>
    </message>
    <message>
        <location filename="../menus.py" line="46" />
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../menus.py" line="52" />
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../menus.py" line="53" />
        <source>&amp;About digitpad</source>
        <translation>关于 digitpad(&amp;A)</translation>
    </message>
    <message>
        <location filename="../menus.py" line="68" />
        <source>Open image</source>
        <translation>打开图片</translation>
    </message>
    <message>
        <location filename="../menus.py" line="69" />
        <source>Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp *.pgm)</source>
        <translation>图片 (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp *.pgm)</translation>
    </message>
    <message>
        <location filename="../menus.py" line="76" />
        <source>Save drawing</source>
        <translation>保存这幅画</translation>
    </message>
    <message>
        <location filename="../menus.py" line="85" />
        <source>Export model</source>
        <translation>导出模型</translation>
    </message>
    <message>
        <location filename="../menus.py" line="86" />
        <source>ONNX (*.onnx);;TorchScript (*.pt)</source>
        <translation>ONNX (*.onnx);;TorchScript (*.pt)</translation>
    </message>
    <message>
        <location filename="../menus.py" line="103" />
        <source>About digitpad</source>
        <translation>关于 digitpad</translation>
    </message>
    <message>
        <location filename="../menus.py" line="108" />
        <source>not loaded yet</source>
        <translation>尚未加载</translation>
    </message>
    <message>
        <location filename="../menus.py" line="109" />
        <source>Draw digits and watch neural networks read them.</source>
        <translation>写数字，看神经网络如何识别它们。</translation>
    </message>
    <message>
        <location filename="../menus.py" line="113" />
        <source>The shipped models were trained on MNIST (Y. LeCun, C. Cortes, C. J. C. Burges), licensed CC BY-SA 3.0.</source>
        <translation>内置模型使用 MNIST（Y. LeCun、C. Cortes、C. J. C. Burges）训练，许可证为 CC BY-SA 3.0。</translation>
    </message>
</context>
<context>
    <name>ModelBar</name>
    <message>
        <location filename="../model_bar.py" line="28" />
        <source>Which network reads the drawing</source>
        <translation>由哪个网络来识别</translation>
    </message>
    <message>
        <location filename="../model_bar.py" line="29" />
        <source>CNN (shipped)</source>
        <translation>CNN（内置）</translation>
    </message>
    <message>
        <location filename="../model_bar.py" line="30" />
        <source>MLP (shipped)</source>
        <translation>MLP（内置）</translation>
    </message>
    <message>
        <location filename="../model_bar.py" line="31" />
        <source>Load checkpoint…</source>
        <translation>加载模型文件…</translation>
    </message>
    <message>
        <location filename="../model_bar.py" line="35" />
        <source>Where the network runs</source>
        <translation>网络在哪个设备上运行</translation>
    </message>
    <message>
        <location filename="../model_bar.py" line="36" />
        <location filename="../model_bar.py" line="88" />
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../model_bar.py" line="38" />
        <source>Compare MLP and CNN</source>
        <translation>对比 MLP 与 CNN</translation>
    </message>
    <message>
        <location filename="../model_bar.py" line="40" />
        <source>Show the other shipped network's P0-P9 beside this one's</source>
        <translation>在旁边显示另一个内置网络的 P0–P9</translation>
    </message>
    <message>
        <location filename="../model_bar.py" line="44" />
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../model_bar.py" line="46" />
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../model_bar.py" line="118" />
        <source> · MNIST test accuracy {a:.2%}</source>
        <translation> · MNIST 测试准确率 {a:.2%}</translation>
    </message>
    <message>
        <location filename="../model_bar.py" line="120" />
        <source> · validation accuracy {a:.2%}</source>
        <translation> · 验证准确率 {a:.2%}</translation>
    </message>
    <message>
        <location filename="../model_bar.py" line="123" />
        <source>Shipped {arch}</source>
        <translation>内置 {arch}</translation>
    </message>
    <message>
        <location filename="../model_bar.py" line="126" />
        <source>{model}{accuracy} on {device}</source>
        <translation>{model}{accuracy}，运行于 {device}</translation>
    </message>
</context>
<context>
    <name>NumberStrip</name>
    <message>
        <location filename="../number_view.py" line="65" />
        <source>Number:</source>
        <translation>数：</translation>
    </message>
    <message>
        <location filename="../number_view.py" line="71" />
        <source>Click a digit to see its probabilities and the 28x28 input it was read from</source>
        <translation>点击某一位，查看它的概率和模型看到的 28x28 输入</translation>
    </message>
    <message>
        <location filename="../number_view.py" line="90" />
        <source>This does not look like a digit</source>
        <translation>这看起来不像数字</translation>
    </message>
</context>
<context>
    <name>ProbabilityChart</name>
    <message>
        <location filename="../chart.py" line="24" />
        <source>Probability of each digit, P0 to P9</source>
        <translation>每个数字的概率，P0 到 P9</translation>
    </message>
</context>
<context>
    <name>ReadingExtras</name>
    <message>
        <location filename="../reading.py" line="108" />
        <source>Draw a digit to see the training digits most like it.</source>
        <translation>写一个数字，看看与它最相似的训练数字。</translation>
    </message>
</context>
<context>
    <name>ReadingView</name>
    <message>
        <location filename="../reading_view.py" line="24" />
        <source>Loading model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <location filename="../reading_view.py" line="34" />
        <source>Exactly what the model sees: 28x28 pixels, centred like MNIST</source>
        <translation>模型看到的就是这个：28×28 像素，像 MNIST 一样居中</translation>
    </message>
    <message>
        <location filename="../reading_view.py" line="46" />
        <source>No model</source>
        <translation>没有模型</translation>
    </message>
    <message>
        <location filename="../reading_view.py" line="53" />
        <source>Draw a digit</source>
        <translation>写一个数字</translation>
    </message>
    <message>
        <location filename="../reading_view.py" line="56" />
        <source>Not a digit?</source>
        <translation>不是数字？</translation>
    </message>
    <message>
        <location filename="../reading_view.py" line="58" />
        <source>This does not look like a digit (p = {p:.0%}). Best guess: {d}.</source>
        <translation>这看起来不像数字（p = {p:.0%}）。最可能的猜测：{d}。</translation>
    </message>
    <message>
        <location filename="../reading_view.py" line="62" />
        <source>The digit the model reads, and its calibrated probability</source>
        <translation>模型识别出的数字，以及校准后的概率</translation>
    </message>
</context>
<context>
    <name>TrainingCurves</name>
    <message>
        <location filename="../training_curves.py" line="27" />
        <source>Loss and accuracy appear here, epoch by epoch, once training starts.</source>
        <translation>开始训练后，这里会逐轮显示损失和准确率。</translation>
    </message>
    <message>
        <location filename="../training_curves.py" line="33" />
        <source>Loss (cross-entropy)</source>
        <translation>损失（交叉熵）</translation>
    </message>
    <message>
        <location filename="../training_curves.py" line="34" />
        <source>Accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <location filename="../training_curves.py" line="37" />
        <source>training batches</source>
        <translation>训练批次</translation>
    </message>
    <message>
        <location filename="../training_curves.py" line="41" />
        <source>validation, each epoch</source>
        <translation>验证（每轮）</translation>
    </message>
    <message>
        <location filename="../training_curves.py" line="57" />
        <source>epoch</source>
        <translation>轮</translation>
    </message>
</context>
<context>
    <name>TrainingPanel</name>
    <message>
        <location filename="../training_panel.py" line="62" />
        <location filename="../training_panel.py" line="188" />
        <source>Dataset folder</source>
        <translation>数据集文件夹</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="65" />
        <source>A folder with subfolders 0 to 9</source>
        <translation>含有子文件夹 0 到 9 的文件夹</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="67" />
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="69" />
        <source>Choose a folder of digit images to train on.</source>
        <translation>选择一个存放数字图片的文件夹来训练。</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="81" />
        <source>Options</source>
        <translation>选项</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="85" />
        <source>CNN (convolutional)</source>
        <translation>CNN（卷积网络）</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="86" />
        <source>MLP (784-256-10)</source>
        <translation>MLP（784-256-10）</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="87" />
        <source>Passes over the training images</source>
        <translation>把训练图片完整过几遍</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="88" />
        <source>Images per optimizer step</source>
        <translation>每次优化使用的图片数</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="90" />
        <source>Adam's learning rate</source>
        <translation>Adam 的学习率</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="92" />
        <source>Share of images held out to measure accuracy honestly</source>
        <translation>留出来如实衡量准确率的图片比例</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="93" />
        <source>Augment</source>
        <translation>数据增强</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="94" />
        <source>Random slant, size, shift and stroke width for every batch</source>
        <translation>每个批次随机倾斜、缩放、平移并改变笔画粗细</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="95" />
        <source>Elastic warps too</source>
        <translation>也做弹性形变</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="96" />
        <source>With augmentation: also smooth elastic warps (slower to train)</source>
        <translation>数据增强时也做平滑的弹性形变（训练较慢）</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="101" />
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="101" />
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="102" />
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="102" />
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="103" />
        <source>Validation split</source>
        <translation>验证集比例</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="103" />
        <source>Processes</source>
        <translation>进程数</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="110" />
        <source>Fine-tune the model in use (start from its weights)</source>
        <translation>微调当前使用的模型（从它的权重开始）</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="112" />
        <source>For your own handwriting: a few epochs on your drawings; the accuracy on held-out drawings is shown before and after</source>
        <translation>适用于你自己的笔迹：在你的手写数字上训练几轮；训练前后都会显示留出样本上的准确率</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="114" />
        <source>Mix in 1,000 MNIST digits so it does not forget</source>
        <translation>混入 1,000 个 MNIST 数字，免得模型忘掉学过的内容</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="128" />
        <source>Train on this many processes with PyTorch's distributed engine (torchrun, gloo on CPUs, NCCL with a GPU each); 1 trains inside the app. The batch size is per process.</source>
        <translation>用 PyTorch 的分布式引擎（torchrun；CPU 上用 gloo，每个进程有一块 GPU 时用 NCCL）在这么多个进程上训练；1 表示在应用内训练。批大小按每个进程计算。</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="134" />
        <source>Start training</source>
        <translation>开始训练</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="138" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="142" />
        <source>Use this model</source>
        <translation>使用这个模型</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="203" />
        <source>Checking the folder…</source>
        <translation>正在检查文件夹…</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="217" />
        <source>{n} images in {k} classes ({counts})</source>
        <translation>{k} 个类别共 {n} 张图片（{counts}）</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="275" />
        <source>Loading images…</source>
        <translation>正在读取图片…</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="282" />
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="323" />
        <source>Loading images: {done} of {total}</source>
        <translation>正在读取图片：{done} / {total}</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="330" />
        <source>Skipped {n} unreadable or blank images ({names}{more}).</source>
        <translation>跳过了 {n} 张无法读取或空白的图片（{names}{more}）。</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="339" />
        <source>Epoch {e}/{E} · batch {b}/{B} · {rate:,.0f} samples/s · ETA {eta}</source>
        <translation>第 {e}/{E} 轮 · 第 {b}/{B} 批 · 每秒 {rate:,.0f} 个样本 · 预计还需 {eta}</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="351" />
        <source>Your held-out non-digit drawings turned away: {before:.0%} before, {after:.0%} after ({n}); your held-out digits turned away: {d_before:.0%} before, {d_after:.0%} after.
</source>
        <translation>留出的“不是数字”画作被拒绝：之前 {before:.0%}，之后 {after:.0%}（{n} 个）；留出的数字被拒绝：之前 {d_before:.0%}，之后 {d_after:.0%}。
</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="362" />
        <source>On your held-out drawings: {before:.1%} before, {after:.1%} after.
</source>
        <translation>在你留出的手写数字上：训练前 {before:.1%}，训练后 {after:.1%}。
</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="365" />
        <source>Trained on {n} processes ({backend}).
</source>
        <translation>在 {n} 个进程上训练（{backend}）。
</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="369" />
        <source>Done in {time}. Best validation accuracy: {best}.
{tuned}Checkpoint: {path}
{skipped}</source>
        <translation>用时 {time} 完成。最佳验证准确率：{best}。
{tuned}模型文件：{path}
{skipped}</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="373" />
        <source>Finished.</source>
        <translation>已完成。</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="378" />
        <source>Cancelled. The current model and your files are unchanged.</source>
        <translation>已取消。当前模型和你的文件都没有改动。</translation>
    </message>
    <message>
        <location filename="../training_panel.py" line="384" />
        <source>Training stopped: {message}</source>
        <translation>训练中止：{message}</translation>
    </message>
</context>
<context>
    <name>window</name>
    <message>
        <location filename="../menus.py" line="18" />
        <source>Load checkpoint</source>
        <translation>加载模型文件</translation>
    </message>
    <message>
        <location filename="../menus.py" line="19" />
        <source>PyTorch checkpoints (*.pt *.pth);;All files (*)</source>
        <translation>PyTorch 模型文件 (*.pt *.pth);;所有文件 (*)</translation>
    </message>
</context>
</TS>
using ScottPlot;

namespace ProductionTests.Charts;

public static class ChartFiles
{
    /// <summary>Writes the plot as &lt;path&gt;.png and &lt;path&gt;.svg; returns both paths.</summary>
    public static IReadOnlyList<string> Save(Plot plot, string pathWithoutExtension, int width = 1200, int height = 600)
    {
        var png = pathWithoutExtension + ".png";
        var svg = pathWithoutExtension + ".svg";
        plot.SavePng(png, width, height);
        plot.SaveSvg(svg, width, height);
        return [png, svg];
    }
}

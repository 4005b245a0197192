package org.vigil.server;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium driven through Debian's chromedriver: both paths are given explicitly, so Selenium
 * Manager never looks for (or downloads) a browser or a driver. Tests using it are skipped where either is missing.
 * Each browser has a fresh profile and opens at the laptop size the console is made for (1366x768).
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    final ChromeDriver driver;
    private final ChromeDriverService service;
    private final Path profile;
    final String base;

    /** Skips the calling test unless Debian's chromium and chromedriver are installed. */
    static void assumeInstalled() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver (.ci/run installs them)");
    }

    /** A browser on a clinic laptop, whose clock is on China time. */
    Browser(String base) throws IOException {
        this(base, "Asia/Shanghai");
    }

    /** A browser whose system zone is {@code zone} ({@code TZ}). */
    Browser(String base, String zone) throws IOException {
        assumeInstalled();
        this.base = base;
        this.profile = Files.createTempDirectory("vigil-chromium-");
        this.service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .withEnvironment(java.util.Map.of("TZ", zone)).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--no-default-browser-check", "--user-data-dir=" + profile,
                "--window-size=1366,768", "--lang=zh-CN");
        this.driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
    }

    void open(String path) {
        driver.get(base + path);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /**
     * Waits up to 30 s (the machine is shared and slow) for the condition, looking every 25 ms. An element the page
     * re-rendered between finding and reading it (stale) is looked for again at the next try.
     */
    <T> T until(ExpectedCondition<T> condition) {
        return new WebDriverWait(driver, Duration.ofSeconds(30)).pollingEvery(Duration.ofMillis(25))
                .ignoring(StaleElementReferenceException.class).until(condition);
    }

    WebElement visible(String css) {
        return until(d -> {
            List<WebElement> found = d.findElements(By.cssSelector(css));
            return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        });
    }

    void gone(String css) {
        until((WebDriver d) -> d.findElements(By.cssSelector(css)).isEmpty());
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    Object asyncScript(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeAsyncScript(js, args);
    }

    /** The visible text of the first element matching css, read in one step (a re-rendered element is no error). */
    String textOf(String css) {
        Object text = script("const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css);
        return text == null ? "" : text.toString();
    }

    /**
     * What a basic accessibility check finds on the page: visible form controls without a label or accessible name,
     * buttons without text, visible text below WCAG AA contrast against its background, and a page without a language.
     */
    @SuppressWarnings("unchecked")
    List<String> accessibilityProblems() {
        return (List<String>) script("""
                const problems = [];
                if (!document.documentElement.lang) problems.push('html has no lang');
                const shown = e => e.offsetParent !== null || getComputedStyle(e).position === 'fixed';
                for (const e of document.querySelectorAll('input, select, textarea, button')) {
                  if (!shown(e) || e.type === 'hidden') continue;
                  const named = e.tagName === 'BUTTON' ? (e.innerText.trim() || e.getAttribute('aria-label'))
                    : ((e.labels && e.labels.length) || e.getAttribute('aria-label'));
                  if (!named) problems.push('unlabelled ' + e.outerHTML.slice(0, 100));
                }
                const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
                const lum = c => c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
                  .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
                const background = e => {
                  for (; e; e = e.parentElement) {
                    const c = rgb(getComputedStyle(e).backgroundColor);
                    if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c;
                  }
                  return [255, 255, 255];
                };
                for (const e of document.querySelectorAll('body *')) {
                  if (!shown(e) || e.disabled || e.closest('[disabled]')) continue;
                  const text = Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
                  if (!text) continue;
                  const style = getComputedStyle(e);
                  const size = parseFloat(style.fontSize);
                  const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
                  const a = lum(rgb(style.color)), b = lum(background(e));
                  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
                  if (ratio < (large ? 3 : 4.5)) problems.push('contrast ' + ratio.toFixed(2) + ' ' + e.outerHTML.slice(0, 100));
                }
                return problems;""");
    }

    /** The page's visible text. */
    String text() {
        return find("body").getText();
    }

    void size(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Saves a screenshot under target/screenshots for a person to look at. */
    Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            File shot = driver.getScreenshotAs(OutputType.FILE);
            Path target = SCREENSHOTS.resolve(name + ".png");
            Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Signs in through the form and waits for the first page. */
    void signIn(String login, String password) {
        open("/");
        visible("#signin input[name=login]").sendKeys(login);
        find("#signin input[name=password]").sendKeys(password);
        find("#signin-submit").click();
        visible("#signout");
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // A left-over temporary profile is harmless.
            }
        }
    }
}
